# Times on the 24-hour clock. Django's English default ("Dec. 7, 2026, 5 p.m.") ends in a full
# stop, which doubled at the end of a sentence ("by 5 p.m.."); dates alone keep Django's format.
DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, H:i"
