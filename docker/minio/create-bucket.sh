#!/bin/sh
# Run by the minio-bucket service at every start: creates the recordings bucket and EchoSphere's own access key,
# allowed that bucket and nothing else. Each step is idempotent, so a restart changes nothing.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$BUCKET"
cat > /tmp/echosphere-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": ["arn:aws:s3:::$BUCKET"] },
    { "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], "Resource": ["arn:aws:s3:::$BUCKET/*"] }
  ]
}
JSON
mc admin policy create local echosphere /tmp/echosphere-policy.json
mc admin user add local "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
# Attaching a policy twice is an error: attach it only to a key that does not have it yet.
if ! mc admin user info local "$S3_ACCESS_KEY_ID" | grep -q "PolicyName: *echosphere"; then
  mc admin policy attach local echosphere --user "$S3_ACCESS_KEY_ID"
fi
echo "Bucket $BUCKET and access key $S3_ACCESS_KEY_ID are ready."
