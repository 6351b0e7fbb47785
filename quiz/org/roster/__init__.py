"""The HR roster import: ``read`` gets cells out of an .xlsx/.xls/.csv file,
``parse`` checks every row, ``units`` finds where a row's unit path belongs
(and the close names of one that does not exist), ``importing`` applies the
rows to the database, ``passwords`` hands out the initial passwords, and
``views`` is the admin's upload → preview → confirm flow."""
