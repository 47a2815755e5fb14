"""Number formats as Taiwan writes them (Django's zh_Hant has no thousands separator, so
1,234,567 rows showed as 1234567); everything else comes from Django's zh_Hant."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
