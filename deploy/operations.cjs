'use strict';
/**
 * What operators need on AWS, derived from the compiled template so that
 * every table, function, stream mapping and dead-letter queue is covered,
 * including ones added later. Pure: takes the template's resources, returns
 * the resources to merge in (changed tables included).
 */

/** Alarm evaluation: one five-minute period. */
const PERIOD_SECONDS = 300;
/**
 * A stream processor this far behind is failing or too slow. DynamoDB
 * streams keep records for 24 hours, so this leaves most of a day to act.
 */
const ITERATOR_AGE_ALARM_MS = 15 * 60 * 1000;

const ALARM_TOPIC = 'AlarmTopic';

function alarm(description, metric) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Period: PERIOD_SECONDS,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ALARM_TOPIC }],
      OKActions: [{ Ref: ALARM_TOPIC }],
      ...metric,
    },
  };
}

/** The logical ids a value refers to with Ref or Fn::GetAtt. */
function referencedIds(value, found = new Set()) {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, found);
  else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    for (const v of Object.values(value)) referencedIds(v, found);
  }
  return found;
}

/** The function a stream mapping feeds, as its logical id. */
function mappedFunction(mapping) {
  const name = mapping.Properties.FunctionName;
  return name && name['Fn::GetAtt'] ? name['Fn::GetAtt'][0] : undefined;
}

/**
 * @param {{ Resources: Record<string, { Type: string, Properties: any }> }} template
 * @param {{ service: string, stage: string, alarmEmail?: string }} options
 */
function operationsResources(template, options) {
  const entries = Object.entries(template.Resources);
  const ofType = (type) => entries.filter(([, r]) => r.Type === type);
  const resources = {};

  // The framework adds DependsOn on resources that a Ref or GetAtt already orders (a function's role, a
  // route's integration). CloudFormation ignores the duplicate; template linters (cfn-lint W3005, and moto's
  // template validation through it) refuse it.
  for (const [id, resource] of entries) {
    if (resource.DependsOn === undefined) continue;
    const dependsOn = [resource.DependsOn].flat();
    const referenced = referencedIds(resource.Properties);
    const needed = dependsOn.filter((d) => !referenced.has(d));
    if (needed.length === dependsOn.length) continue;
    const rest = { ...resource };
    delete rest.DependsOn;
    resources[id] = needed.length > 0 ? { ...rest, DependsOn: needed } : rest;
  }

  // Tables hold the only copy of the events: recoverable to any second of the last 35 days, and kept if the stack goes.
  for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
    resources[id] = {
      ...table,
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { ...table.Properties, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
    };
  }

  resources[ALARM_TOPIC] = {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: `${options.service}-${options.stage}-alarms`, DisplayName: `sma ${options.stage} alarms` },
  };
  if (options.alarmEmail) {
    resources.AlarmEmailSubscription = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: ALARM_TOPIC }, Protocol: 'email', Endpoint: options.alarmEmail },
    };
  }

  for (const [id] of ofType('AWS::Lambda::Function')) {
    resources[`${id}ErrorsAlarm`] = alarm(`sma ${options.stage}: ${id} failed (crashed or timed out). Read its log group.`, {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }

  for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
    const fn = mappedFunction(mapping);
    if (!fn) continue;
    resources[`${fn}IteratorAgeAlarm`] = alarm(
      `sma ${options.stage}: ${fn} is over ${ITERATOR_AGE_ALARM_MS / 60_000} minutes behind its stream. See README: Alarms.`,
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        Statistic: 'Maximum',
        Threshold: ITERATOR_AGE_ALARM_MS,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    );
  }

  for (const [id] of ofType('AWS::SQS::Queue').filter(([queueId]) => queueId.endsWith('DeadLetterQueue'))) {
    resources[`${id}Alarm`] = alarm(`sma ${options.stage}: records landed in ${id}. See README: Alarms.`, {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }

  // The HTTP handlers answer their own failures (a 500, or a 503 to retry), which Lambda does not count as errors.
  const [api] = ofType('AWS::ApiGatewayV2::Api');
  if (api) {
    resources.Api5xxAlarm = alarm(`sma ${options.stage}: the API answered 5xx. Segment retries them; see README: Alarms.`, {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: api[0] } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }
  return { resources };
}

module.exports = { operationsResources, ITERATOR_AGE_ALARM_MS };
