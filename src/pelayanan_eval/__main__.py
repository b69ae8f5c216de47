"""``python -m pelayanan_eval``: the same as the ``pelayanan-eval`` command."""

import sys

from pelayanan_eval._cli.main import main

sys.exit(main())
