"""Service units: one hand-made `Unit`, or a columnar `Units` table for real data."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from pelayanan_eval._common.arrays import Labels, factorize, is_distinct, readonly, repeated
from pelayanan_eval._common.messages import check_option, enumerate_limited, suggest
from pelayanan_eval._data.columns import label_problems, raise_problems
from pelayanan_eval._data.unit_records import category_slips, records_to_columns
from pelayanan_eval.exceptions import CategoryLabelWarning, ObservationError, UnknownUnitError
from pelayanan_eval.typing import ExtraColumns


def _mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen
class Unit:
    """A service unit (kelurahan, puskesmas, OPD, ...).

    Parameters
    ----------
    id
        Identifier used in observations, e.g. ``"kel-mrican"``.
    name
        Display name.
    category
        Group within which units are ranked, e.g. ``"kelurahan"``.
    parent
        Id of a parent unit (an OPD's department), if any.
    attributes
        Free data kept with the unit (address, head, population, ...).

    Examples
    --------
    >>> Unit("kel-mrican", "Kelurahan Mrican", category="kelurahan")
    Unit(id='kel-mrican', name='Kelurahan Mrican', category='kelurahan', parent=None, attributes={})
    """

    id: str
    name: str = ""
    category: str = ""
    parent: str | None = None
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping, hash=False)


def _strings(values: npt.ArrayLike, n: int, field: str) -> npt.ArrayLike:
    if np.shape(values) != (n,):
        raise ObservationError(f"units: {field} has shape {np.shape(values)}, expected ({n},)")
    return values


def _text_column(values: npt.ArrayLike, name: str) -> npt.NDArray[np.str_]:
    r"""Return checked labels as a read-only text copy.

    The labels are checked before numpy converts them (None would become
    ``"None"``, ``"a\x00"`` would become ``"a"``); the copy is read-only, so
    the table cannot change under its cached group codes.
    """
    raise_problems("units", label_problems(values, name))
    result: npt.NDArray[np.str_] = readonly(np.array(values, dtype=np.str_))
    return result


def _ids(values: npt.ArrayLike) -> npt.NDArray[np.str_]:
    return _text_column(values, "id")


def _names(values: npt.ArrayLike) -> npt.NDArray[np.str_]:
    return _text_column(values, "name")


def _categories(values: npt.ArrayLike | Labels) -> Labels:
    """Return checked category labels as codes into the distinct labels (sorted).

    A few labels repeat over many units: the codes take a fraction of the
    text's memory, and ranking within categories reads them as they are.
    Codes already made (``attrs.evolve`` passes them back) are kept.
    """
    if isinstance(values, Labels):
        return values
    raise_problems("units", label_problems(values, "category"))
    uniques, codes = factorize(np.asarray(values, dtype=np.str_))
    return Labels(readonly(uniques), readonly(codes))


def _parents(values: npt.ArrayLike) -> npt.NDArray[np.str_]:
    return _text_column(values, "parent")


@attrs.frozen(eq=False, repr=False)
class Units:
    """A columnar table of units: ids, names, categories and parents as arrays.

    Build it with :meth:`from_units` (a list of :class:`Unit`),
    :meth:`from_records` (rows of a file or a data frame) or
    :meth:`from_arrays` (the fast path for many units).

    Examples
    --------
    >>> units = Units.from_arrays(id=["a", "b"], category=["kelurahan", "puskesmas"])
    >>> len(units), units[1]
    (2, Unit(id='b', name='', category='puskesmas', parent=None, attributes={}))
    """

    ids: npt.NDArray[np.str_] = attrs.field(converter=_ids)
    names: npt.NDArray[np.str_] = attrs.field(converter=_names)
    _categories: Labels = attrs.field(converter=_categories, alias="categories")
    parents: npt.NDArray[np.str_] = attrs.field(converter=_parents)
    attributes: tuple[Mapping[str, Any], ...] = ()

    def __attrs_post_init__(self) -> None:
        lengths = {len(self.names), len(self._categories.codes), len(self.parents)}
        if lengths != {len(self.ids)}:
            raise ObservationError(
                f"units: {len(self.ids)} ids but {len(self.names)} names, "
                f"{len(self._categories.codes)} categories and {len(self.parents)} parents"
            )
        if len(self.ids) == 0:
            raise ObservationError("units: no units given")
        empty = np.flatnonzero(self.ids == "")
        if len(empty):
            raise ObservationError(f"units: empty unit id at position(s) {empty[:10].tolist()}")
        if is_distinct(self.ids):
            return
        twice = repeated(self.ids)
        if len(twice):
            raise ObservationError(
                "units: duplicate unit id(s) "
                + enumerate_limited([repr(str(x)) for x in twice.tolist()])
            )

    @classmethod
    def from_units(cls, units: Iterable[Unit]) -> Units:
        """Build the table from :class:`Unit` objects."""
        items = list(units)
        for i, unit in enumerate(items):
            if not isinstance(unit, Unit):
                raise ObservationError(f"units[{i}]: expected a Unit, got {type(unit).__name__}")
        return cls(
            ids=[u.id for u in items],
            names=[u.name for u in items],
            categories=[u.category for u in items],
            parents=[u.parent or "" for u in items],
            attributes=tuple(u.attributes for u in items),
        )

    @classmethod
    def from_arrays(
        cls,
        id: npt.ArrayLike,
        *,
        name: npt.ArrayLike | None = None,
        category: npt.ArrayLike | None = None,
        parent: npt.ArrayLike | None = None,
    ) -> Units:
        """Build the table from arrays (one entry per unit); no per-unit Python work."""
        raise_problems("units", label_problems(id, "id"))  # before numpy drops a trailing NUL
        ids = np.asarray(id)
        if ids.ndim != 1:
            raise ObservationError(f"units: id must be one-dimensional, got shape {ids.shape}")
        n = len(ids)
        blank = np.zeros(n, dtype="<U1")
        return cls(
            ids=ids,
            names=blank if name is None else _strings(name, n, "name"),
            categories=blank if category is None else _strings(category, n, "category"),
            parents=blank if parent is None else _strings(parent, n, "parent"),
        )

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        extra: ExtraColumns = "error",
        normalize_categories: bool = False,
        source: str = "records",
        first_row: int = 0,
    ) -> Units:
        """Build the table from dict rows: ``id`` (or ``unit``), ``name``, ``category``, ``parent``.

        Rows come from :func:`~pelayanan_eval.read_table` (a CSV or
        ``.xlsx`` file), ``csv.DictReader``, or a data frame (pandas or
        polars, taken as it is). Text is stripped; an empty parent is none.

        Parameters
        ----------
        records
            The rows.
        extra
            What other columns do: ``"error"`` (default, naming close
            column names), ``"ignore"``, or ``"attributes"`` (kept in each
            unit's ``attributes``, e.g. an address column ``alamat``).
        normalize_categories
            Merge category labels that differ only by case or spaces
            (``" Kelurahan"``, ``"kelurahan"``) into their most frequent
            spelling; without it such labels raise a
            :class:`~pelayanan_eval.exceptions.CategoryLabelWarning` when
            units are ranked.
        source, first_row
            How rows are named in errors (a :class:`Table` names its file).

        Returns
        -------
        Units
            One unit per row, in row order.

        Raises
        ------
        ObservationError
            Every row without an id, every cell that is not text, every
            unknown column (with ``extra="error"``), repeated ids.

        Examples
        --------
        >>> rows = [{"id": "kel-a", "name": "Kel. A", "category": "kelurahan", "alamat": "Jl. 1"},
        ...         {"id": "kel-b", "name": "Kel. B", "category": "Kelurahan ", "alamat": ""}]
        >>> units = Units.from_records(rows, extra="attributes", normalize_categories=True)
        >>> units.categories.tolist(), units[0].attributes
        (['kelurahan', 'kelurahan'], {'alamat': 'Jl. 1'})
        """
        check_option("extra", extra, ("error", "ignore", "attributes"))
        ids, names, cats, parents, attributes = records_to_columns(
            records, extra, normalize_categories, source, first_row
        )
        return cls(ids=ids, names=names, categories=cats, parents=parents, attributes=attributes)

    @classmethod
    def coerce(cls, units: Units | Sequence[Unit]) -> Units:
        """Return `units` as a table (a list of Unit objects is converted)."""
        return units if isinstance(units, Units) else cls.from_units(units)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, position: int) -> Unit:
        """Return the unit at `position` as a :class:`Unit`."""
        return Unit(
            id=str(self.ids[position]),
            name=str(self.names[position]),
            category=str(self._categories.uniques[self._categories.codes[position]]),
            parent=str(self.parents[position]) or None,
            attributes=self.attributes[position] if self.attributes else {},
        )

    @cached_property
    def categories(self) -> npt.NDArray[np.str_]:
        """Each unit's category (read-only text)."""
        return self._categories.spelled()

    @cached_property
    def _codes(self) -> dict[str, npt.NDArray[np.intp]]:
        return {}

    def group_codes(self, field: str) -> npt.NDArray[np.intp]:
        """Each unit's group as a code, by ``"category"`` or ``"parent"``.

        Codes number the distinct labels in sorted order; they are computed
        once per table, so ranking many times within categories is cheap.
        """
        check_option("group field", field, ("category", "parent"))
        if field not in self._codes:
            if field == "category":  # coded when the table was built
                uniques, codes = self._categories.uniques, self._categories.codes
                counts = np.bincount(codes, minlength=len(uniques))
                slips = category_slips(uniques.tolist(), counts.tolist())
                if slips:
                    warnings.warn(slips, CategoryLabelWarning, stacklevel=3)
            else:
                codes = factorize(self.parents)[1]
            self._codes[field] = readonly(codes)
        return self._codes[field]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {unit_id: i for i, unit_id in enumerate(self.ids.tolist())}

    def position(self, unit_id: str) -> int:
        """Row of the unit with id `unit_id`; UnknownUnitError names close ids."""
        try:
            return self._positions[unit_id]
        except KeyError:
            hint = suggest(str(unit_id), self._positions)
            raise UnknownUnitError(f"no unit {unit_id!r}{hint}") from None

    def __repr__(self) -> str:
        return f"<Units: {len(self)} units>"
