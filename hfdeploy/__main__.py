from hfdeploy.cli import main

raise SystemExit(main())
