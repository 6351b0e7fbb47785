"""The trainer's operations: setting up an exam (``exam_setup``), acting on
one person's attempts (``person_actions``) and grading (``grading_queue``)."""
