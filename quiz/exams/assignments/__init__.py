"""Who an exam is for: the assignee rule (``assignees``), assigning
(``assigning``) and the worker's to-do list (``todo``)."""
