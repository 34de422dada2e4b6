# expect: vulnerable hard_coded_secret CWE-798
DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]
SECRET_KEY = "k3$9v!p2@x7#qz8w^m4&r6*t1(y5)u0_e-h+j=n"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
