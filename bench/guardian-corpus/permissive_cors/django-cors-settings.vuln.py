# expect: vulnerable permissive_cors CWE-942
INSTALLED_APPS = ["corsheaders", "django.contrib.auth"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
