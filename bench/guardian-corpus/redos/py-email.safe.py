# expect: safe redos CWE-1333
import re

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$")


def valid_email(value: str) -> bool:
    return len(value) <= 254 and EMAIL_RE.match(value) is not None
