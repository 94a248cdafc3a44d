#!/usr/bin/python3
"""Make sure S3 buckets exist, using SigV4-signed requests (standard library only).

usage: s3-buckets.py BUCKET...   (S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
                                  from the environment)

HEAD each bucket; PUT it if missing. Signed requests prove the whole S3 path works (s3api,
tempauth, signature check), not just that a port is open. curl --aws-sigv4 cannot be used:
it splits --user at the first ':' and Swift's access keys look like "account:user".
Exit status: 0 all buckets usable, 1 otherwise (reason on stderr).
"""
import datetime
import hashlib
import hmac
import http.client
import os
import sys
import urllib.parse

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def request(method, bucket):
    endpoint = urllib.parse.urlsplit(os.environ['S3_ENDPOINT'])
    region = os.environ.get('S3_REGION', 'us-east-1')
    key_id = os.environ['S3_ACCESS_KEY_ID']
    secret = os.environ['S3_SECRET_ACCESS_KEY']

    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    path = urllib.parse.quote('/' + bucket, safe='/~')
    headers = {'host': endpoint.netloc, 'x-amz-content-sha256': EMPTY_SHA256,
               'x-amz-date': amz_date}
    signed = ';'.join(sorted(headers))
    canonical = '\n'.join([method, path, '',
                           ''.join('%s:%s\n' % (k, headers[k]) for k in sorted(headers)),
                           signed, EMPTY_SHA256])
    scope = '%s/%s/s3/aws4_request' % (day, region)
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = _hmac(('AWS4' + secret).encode(), day)
    for part in (region, 's3', 'aws4_request'):
        k = _hmac(k, part)
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers['authorization'] = (
        'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s'
        % (key_id, scope, signed, signature))
    if method == 'PUT':
        headers['content-length'] = '0'

    conn_cls = (http.client.HTTPSConnection if endpoint.scheme == 'https'
                else http.client.HTTPConnection)
    conn = conn_cls(endpoint.hostname, endpoint.port, timeout=15)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode('utf-8', 'replace')
        return resp.status, body
    finally:
        conn.close()


def error_code(body):
    start = body.find('<Code>')
    end = body.find('</Code>')
    return body[start + 6:end] if 0 <= start < end else body.strip()[:200]


def ensure(bucket):
    status, _ = request('HEAD', bucket)
    if status == 200:
        return True
    if status == 404:
        status, body = request('PUT', bucket)
        # 409 BucketAlreadyOwnedByYou: someone else created it meanwhile.
        if status in (200, 409):
            print('created bucket %s' % bucket)
            return True
        sys.stderr.write('creating bucket %s failed: HTTP %d %s\n' % (bucket, status, error_code(body)))
        return False
    # HEAD has no body; repeat as GET (a listing) to learn the S3 error code.
    status, body = request('GET', bucket)
    sys.stderr.write('bucket %s: HTTP %d %s\n' % (bucket, status, error_code(body)))
    return False


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ok = True
    for bucket in sys.argv[1:]:
        try:
            ok = ensure(bucket) and ok
        except (OSError, http.client.HTTPException) as e:
            sys.stderr.write('bucket %s: %s\n' % (bucket, e))
            ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
