# expect: vulnerable redos CWE-1333
import re

EMAIL_RE = re.compile(r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$")


def valid_email(value: str) -> bool:
    return EMAIL_RE.match(value) is not None
