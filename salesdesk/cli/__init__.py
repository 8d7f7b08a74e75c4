"""The command line, one module per group of commands.

`main` parses the arguments and hands them to the group that owns the command:
`app` (no command: open the app), `database` (demo, check, backup), `agenda`,
`imports`, `exports` and `weekly`, `team` (team, sync, merge). `common` holds what they
share: the clock, opening the store, writing to a file or standard output.
"""
