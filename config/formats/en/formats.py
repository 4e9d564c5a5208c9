# Dates as people in the complaints trade write them, on the 24-hour clock. Django's English
# default ("Dec. 7, 2026, 5 p.m.") ends in a full stop, which doubled at the end of a sentence.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
