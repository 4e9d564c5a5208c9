# As Django's German formats, with a comma between date and time like the English ones.
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i"
