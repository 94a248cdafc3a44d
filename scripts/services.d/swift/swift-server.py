#!/usr/bin/python3
"""Run one Swift WSGI server (account/container/object/proxy) from a private config dir.

usage: swift-server.py <account|container|object|proxy>-server <dir>/<name>.conf

The stock /usr/bin/swift-*-server scripts always read the hash prefix/suffix and the
storage policies from /etc/swift/swift.conf. We point Swift at the swift.conf next to the
server's config instead, so scripts/services never has to touch /etc/swift.
Logs go to stderr (captured into the log file by scripts/services): there is no syslog here.
"""
import os
import sys

from swift.common import constraints, storage_policy, utils


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    server, conf_path = sys.argv[1], os.path.abspath(sys.argv[2])
    swift_dir = os.path.dirname(conf_path)
    if not os.path.isfile(os.path.join(swift_dir, 'swift.conf')):
        sys.exit('no swift.conf in %s' % swift_dir)
    utils.set_swift_dir(swift_dir)
    # Both were loaded from /etc/swift/swift.conf (if any) at import time.
    storage_policy.reload_storage_policies()
    constraints.reload_constraints()

    from swift.common.wsgi import run_wsgi
    return run_wsgi(conf_path, server, verbose=True)


if __name__ == '__main__':
    sys.exit(main())
