"""An attempt's life: ``start``, ``answers`` (save, flag, move, leave, what the
phone sees), ``finish`` (submit, finalise the overdue, regrade), all under
the write lock of ``locking``."""
