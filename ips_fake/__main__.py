"""``python -m ips_fake``: the same as the ``ips-fake`` command."""

from ips_fake.cli import main

raise SystemExit(main())
