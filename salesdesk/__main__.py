from salesdesk.cli.main import main

raise SystemExit(main())
