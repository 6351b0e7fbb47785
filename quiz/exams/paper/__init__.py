"""Drawing a paper: the question pool a draw rule can draw from (``pool``)
and the pure draw (``drawing``)."""
