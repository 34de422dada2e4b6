# expect: vulnerable weak_crypto CWE-916
import hashlib
import bcrypt


def create_account(db, email, password):
    digest = hashlib.sha1(password.encode("utf-8")).hexdigest()
    db.execute("INSERT INTO accounts (email, password_hash) VALUES (?, ?)", (email, digest))
