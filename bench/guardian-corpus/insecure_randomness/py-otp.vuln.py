# expect: vulnerable insecure_randomness CWE-338
import random
from django.core.mail import send_mail


def send_login_code(user):
    code = random.randint(100000, 999999)
    user.profile.login_code = code
    user.profile.save()
    send_mail("Your code", f"Code: {code}", None, [user.email])
