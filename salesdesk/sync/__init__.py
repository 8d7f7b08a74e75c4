"""Team sync: merging copies of a salesdesk database by record id, field by field.

See ../shared/TEAM-SYNC.md: each person keeps a local working database; a team
shares a folder holding one published snapshot per device; merging replays the
change log with a hybrid logical clock, newest per field wins, nothing is lost.
"""
