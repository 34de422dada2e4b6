# expect: safe insecure_randomness CWE-338
import secrets
from django.core.mail import send_mail


def send_login_code(user):
    code = secrets.randbelow(900000) + 100000
    user.profile.login_code = code
    user.profile.save()
    send_mail("Your code", f"Code: {code}", None, [user.email])
