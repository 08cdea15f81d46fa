"""The analysts' report: a self-contained static HTML page of charts read from the marts."""
