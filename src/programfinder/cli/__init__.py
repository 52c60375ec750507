"""The ``programfinder`` command line: options and commands (``app``) and terminal output."""
