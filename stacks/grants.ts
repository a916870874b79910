import type * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type { Table } from "sst/constructs";

// SST's `bind` grants `dynamodb:*`, `kinesis:*`, `sns:*` on a resource; these helpers name each
// action instead, so a function can do exactly what its handler does and no more.

export const TABLE_READ = ["GetItem", "Query"] as const;
export const TABLE_WRITE = ["PutItem", "UpdateItem", "DeleteItem"] as const;
export const KMS_DECRYPT = ["kms:Decrypt", "kms:DescribeKey"] as const;
export const KMS_ENCRYPT = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] as const;

type TableAction = (typeof TABLE_READ)[number] | (typeof TABLE_WRITE)[number] | "Scan" | "BatchGetItem";

/** DynamoDB actions on the table and its indexes, and the key use they need. */
export function grantTable(table: Table, grantee: iam.IGrantable, key: kms.IKey, actions: readonly TableAction[]): void {
  table.cdk.table.grant(grantee, ...actions.map((a) => `dynamodb:${a}`));
  const writes = actions.some((a) => (TABLE_WRITE as readonly string[]).includes(a));
  key.grant(grantee, ...(writes ? KMS_ENCRYPT : KMS_DECRYPT));
}
