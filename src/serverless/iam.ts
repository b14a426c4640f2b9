import type { DanubeServiceOptions } from './options.js';

/** A CloudFormation value: a literal or an intrinsic function object. */
export type CfnValue = string | Record<string, unknown>;

export interface PolicyStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
}

/**
 * The checkpoint-table operations a source run performs: a consistent `GetItem` to read its
 * checkpoint and lease, and conditional `UpdateItem`s to take the lease and commit (design §4: no
 * transactions, no scans, no deletes). Nothing else is granted.
 */
export const SOURCE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/** The logical id of the checkpoint table in the generated template. */
export const CHECKPOINT_TABLE_LOGICAL_ID = 'DanubeCheckpointTable';

const sub = (text: string): CfnValue => ({ 'Fn::Sub': text });

/** Where a function's logs go; a role given to a function must allow writing there. */
export function logStatement(functionNames: string[]): PolicyStatement {
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
    Resource: functionNames.map((name) => sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${name}:*`)),
  };
}

/** Read access to the one SSM parameter or secret that holds the Danube token, if any. */
export function tokenStatements(danube: DanubeServiceOptions): PolicyStatement[] {
  const token = danube.token;
  if (!token) return [];
  const statements: PolicyStatement[] = [];
  if (token.ssmParameter) {
    const name = token.ssmParameter.startsWith('/') ? token.ssmParameter : `/${token.ssmParameter}`;
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: [sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`)],
    });
  }
  if (token.secretsManager) {
    // A secret's ARN ends with a random 6-character suffix that a name does not carry.
    const resource = token.secretsManager.startsWith('arn:')
      ? token.secretsManager
      : sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${token.secretsManager}-??????`);
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [resource] });
  }
  if (token.kmsKeyArn) statements.push({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [token.kmsKeyArn] });
  return statements;
}

/** The checkpoint-table row operations of a source, on that table only. */
export function checkpointTableStatement(): PolicyStatement {
  return {
    Effect: 'Allow',
    Action: [...SOURCE_TABLE_ACTIONS],
    Resource: [{ 'Fn::GetAtt': [CHECKPOINT_TABLE_LOGICAL_ID, 'Arn'] }],
  };
}

/** `lambda:InvokeFunction` on exactly the given functions (their logical ids in this template). */
export function invokeStatement(functionLogicalIds: string[]): PolicyStatement {
  return {
    Effect: 'Allow',
    Action: ['lambda:InvokeFunction'],
    Resource: functionLogicalIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
  };
}

export interface RoleOptions {
  statements: PolicyStatement[];
  /** `lambda.amazonaws.com` or `ecs-tasks.amazonaws.com`. */
  service: string;
  managedPolicies?: CfnValue[];
  policyName: string;
}

/** An IAM role resource with one inline policy. */
export function role(options: RoleOptions): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: [options.service] }, Action: ['sts:AssumeRole'] }],
      },
      ...(options.managedPolicies?.length ? { ManagedPolicyArns: options.managedPolicies } : {}),
      Policies: [
        {
          PolicyName: options.policyName,
          PolicyDocument: { Version: '2012-10-17', Statement: options.statements.filter((s) => s.Resource.length > 0) },
        },
      ],
    },
  };
}

/** The managed policy a function in a VPC needs for its network interfaces. */
export const VPC_ACCESS_POLICY = sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole');
