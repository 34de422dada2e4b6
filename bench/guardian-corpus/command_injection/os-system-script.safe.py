# expect: safe command_injection CWE-78
import subprocess
import sys


def backup(database):
    with open(f"/backups/{database}.sql", "wb") as out:
        subprocess.run(["pg_dump", database], stdout=out, check=True)


if __name__ == "__main__":
    backup(sys.argv[1])
