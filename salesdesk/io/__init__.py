"""Import and export formats: CSV and vCard in, CSV and iCalendar out.

Pure file handling over `salesdesk.core` records; no SQL (the store does the
matching) and no Textual or Rich (the command line shows progress).
"""
