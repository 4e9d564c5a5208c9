"""The complainant's site (the public pages): submit, track, the policy page.

It sits above escalations, which it reads (the review's deadline) and calls (a complainant's
request for a review). Named publicsite, not public: aiosmtpd imports the `public` package.
"""
