"""Learning paths: topics tested by normal exams, the crew gate, personal
remediation, what to teach a crew, practical sign-offs, spaced review."""
