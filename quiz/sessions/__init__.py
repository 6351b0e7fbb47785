"""Training sessions held in a room (special trainings, lectures, classes,
make-up lessons, drills), their venues and QR sign-in, attendance, and every
person's training record with hours (培训档案).

Sits beside certificates and reports: it may import exams, banks and org,
never the reverse.
"""
