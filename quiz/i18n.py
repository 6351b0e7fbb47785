"""``N_`` marks a string for translation where it is defined, without
translating it there: a label kept in a table and translated with ``_()``
when shown, in the reader's language. ``pybabel extract -k N_`` finds it."""


def N_(message: str) -> str:
    return message
