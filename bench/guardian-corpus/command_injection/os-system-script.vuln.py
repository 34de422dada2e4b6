# expect: vulnerable command_injection CWE-78
import os
import sys


def backup(database):
    os.system("pg_dump %s > /backups/%s.sql" % (database, database))


if __name__ == "__main__":
    backup(sys.argv[1])
