import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { gatewayFields } from '@docuthinker/config';
import { parse } from 'yaml';
import { RAW_TEMPLATE_PATH, renderRawTemplate } from '../src/template/render-raw-template';
import { HTTP_LISTENER_LOGICAL_ID } from '../src/template/fargate-service-template-stack';
import type { CfnJson } from './support/synth-stage';

const SEED_PARAMETERS = [
  'VpcId',
  'PublicSubnets',
  'PrivateSubnets',
  'ClusterName',
  'BackendImage',
  'AIMLImage',
  'ContainerPort',
  'AIMLPort',
  'DesiredCount',
  'CPU',
  'Memory',
  'SecretsPrefix',
];
/**
 * Added to the seed's list: the backend refuses production without a bucket
 * for originals, and ECS will not start a task whose secret does not exist,
 * so each provider key is a switch.
 */
const PROVIDER_KEY_SWITCHES = {
  HasOpenAIKey: 'OPENAI_API_KEY',
  HasAnthropicKey: 'ANTHROPIC_API_KEY',
  HasGoogleKey: 'GOOGLE_API_KEY',
};
const PARAMETERS = [
  ...SEED_PARAMETERS,
  'DocumentsBucketName',
  // A browser front end on another origin calls both services.
  'CorsOrigins',
  // Its load balancer serves HTTPS (found in review: plain HTTP on port 80).
  'CertificateArn',
  // Its alarms reach someone (found in review: the topic had no subscriber).
  'AlarmEmail',
  ...Object.keys(PROVIDER_KEY_SWITCHES),
];

/** Evaluates the intrinsic functions the pull grant uses (Ref, Join, Split, Select). */
function evaluate(value: CfnJson, parameters: Record<string, string>): CfnJson {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => evaluate(item, parameters));
  if ('Ref' in value) return parameters[value.Ref];
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return (evaluate(parts, parameters) as string[]).join(separator);
  }
  if ('Fn::Split' in value) {
    const [separator, source] = value['Fn::Split'];
    return (evaluate(source, parameters) as string).split(separator);
  }
  if ('Fn::Select' in value) {
    const [index, list] = value['Fn::Select'];
    return (evaluate(list, parameters) as string[])[Number(index)];
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

describe('raw CloudFormation template', () => {
  const rendered = renderRawTemplate();
  const committed = readFileSync(join(__dirname, '..', RAW_TEMPLATE_PATH), 'utf8');
  const template = parse(committed) as {
    Parameters: Record<string, CfnJson>;
    Resources: Record<string, CfnJson>;
    Outputs: Record<string, CfnJson>;
  };

  it('matches what the CDK code produces (regenerate with `nx run infra:raw-template`)', () => {
    expect(committed).toEqual(rendered.yaml);
  });

  it("takes the seed's parameters plus the documents bucket and the provider key switches", () => {
    expect(Object.keys(template.Parameters).sort()).toEqual([...PARAMETERS].sort());
    expect(template.Parameters.CPU.Default).toBe('512');
    expect(template.Parameters.Memory.Default).toBe('1024');
    expect(template.Parameters.SecretsPrefix.Default).toBe('docuthinker/');
  });

  it("gives the gateway each provider's key only when its switch says the secret exists", () => {
    const assertions = Template.fromJSON(rendered.template);
    const [gatewayTask] = Object.values(
      assertions.findResources('AWS::ECS::TaskDefinition', {
        Properties: { ContainerDefinitions: [{ Name: 'aiml-gateway' }] },
      }),
    );
    const secrets: CfnJson[] = gatewayTask?.Properties.ContainerDefinitions[0].Secrets;
    // Three provider keys (switched), Neo4j, Chroma, Redis, the JWT secret and the service token.
    expect(secrets).toHaveLength(8);
    for (const [parameter, variable] of Object.entries(PROVIDER_KEY_SWITCHES)) {
      // Off unless the deployment says its secret exists: a switch left on for
      // a missing secret keeps every gateway task from starting.
      expect(template.Parameters[parameter]).toMatchObject({
        Default: 'false',
        AllowedValues: ['true', 'false'],
      });
      const conditional = secrets.find((entry) => entry['Fn::If']?.[1]?.Name === variable);
      expect(conditional?.['Fn::If']).toEqual([
        expect.any(String),
        expect.objectContaining({ Name: variable }),
        { Ref: 'AWS::NoValue' },
      ]);
      assertions.hasCondition(conditional?.['Fn::If'][0], {
        'Fn::Equals': [{ Ref: parameter }, 'true'],
      });
    }
    // Everything else the gateway reads is always there.
    const unconditional = secrets.filter((entry) => entry.Name !== undefined);
    expect(unconditional.map((entry) => entry.Name)).toEqual([
      'DOCUTHINKER_NEO4J_URI',
      'DOCUTHINKER_CHROMA_URL',
      'REDIS_URL',
      'DOCUTHINKER_JWT_SECRET',
      'DOCUTHINKER_SERVICE_TOKEN',
    ]);
    // A stack without any key is refused before anything is created.
    expect(assertions.toJSON().Rules.AtLeastOneProviderKey).toEqual({
      Assertions: [
        {
          Assert: {
            'Fn::Or': Object.keys(PROVIDER_KEY_SWITCHES).map((parameter) => ({
              'Fn::Equals': [{ Ref: parameter }, 'true'],
            })),
          },
          AssertDescription: expect.stringContaining('at least one'),
        },
      ],
    });
  });

  it("lets each task's execution role pull its private ECR image, and only that repository", () => {
    const assertions = Template.fromJSON(rendered.template);
    const policies = Object.values(assertions.findResources('AWS::IAM::Policy'));
    const tasks = assertions.findResources('AWS::ECS::TaskDefinition');
    for (const [parameter, container] of [
      ['BackendImage', 'backend'],
      ['AIMLImage', 'aiml-gateway'],
    ] as const) {
      const [task] = Object.values(tasks).filter(
        (candidate) => candidate.Properties.ContainerDefinitions[0].Name === container,
      );
      expect(task?.Properties.ContainerDefinitions[0].Image).toEqual({ Ref: parameter });
      const executionRole = task?.Properties.ExecutionRoleArn['Fn::GetAtt'][0];
      const statements: CfnJson[] = policies
        .filter((policy) =>
          policy.Properties.Roles.some((role: CfnJson) => role.Ref === executionRole),
        )
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      const pull = statements.find((statement) =>
        [statement.Action].flat().includes('ecr:BatchGetImage'),
      );
      expect([pull?.Action].flat().sort()).toEqual([
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ]);
      // The repository ARN is read from this task's own image parameter, never a wildcard.
      expect(pull?.Resource).not.toBe('*');
      expect(JSON.stringify(pull?.Resource)).toContain(`"Ref":"${parameter}"`);
      expect(JSON.stringify(pull?.Resource)).not.toContain(
        parameter === 'BackendImage' ? 'AIMLImage' : 'BackendImage',
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
      );
    }
  });

  it('reads the repository ARN out of the image URI as CloudFormation would', () => {
    const assertions = Template.fromJSON(rendered.template);
    const pull = Object.values(assertions.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as CfnJson[])
      .find((statement) => JSON.stringify(statement.Resource).includes('"Ref":"BackendImage"'));
    const image = '111111111111.dkr.ecr.us-east-1.amazonaws.com/team/docuthinker-backend:3f2c1ab';
    expect(evaluate(pull?.Resource, { BackendImage: image, 'AWS::Partition': 'aws' })).toBe(
      'arn:aws:ecr:us-east-1:111111111111:repository/team/docuthinker-backend',
    );
  });

  it('refuses a latest image tag', () => {
    const pattern = new RegExp(template.Parameters.BackendImage.AllowedPattern);
    expect(
      pattern.test('111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-backend:3f2c1ab'),
    ).toBe(true);
    expect(
      pattern.test('111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-backend:latest'),
    ).toBe(false);
    // The pull grant is read from an ECR URI, so nothing else is accepted.
    expect(pattern.test('docker.io/library/docuthinker-backend:3f2c1ab')).toBe(false);
  });

  it('gives both services the CORS origins, and refuses lists their config refuses', () => {
    const pattern = new RegExp(template.Parameters.CorsOrigins.AllowedPattern);
    const origins = gatewayFields.DOCUTHINKER_CORS_ORIGINS;
    for (const accepted of [
      '',
      'https://app.example.com',
      'https://a.example.com,http://localhost:3000',
      'https://a.example.com, https://b.example.com',
    ]) {
      expect(pattern.test(accepted)).toBe(true);
      expect(origins.safeParse(accepted).success).toBe(true);
    }
    for (const refused of [
      'https://app.example.com/',
      'https://*.example.com',
      'app.example.com',
      'https://a.example.com;https://b.example.com',
      // Found by an exploratory test: the pattern took these, the services exit 1.
      'https://app.example.com:443',
      'https://app.example.com:99999',
      'http://app.example.com:80',
      'https://app.example.com:0443',
      'https://a.example.com,https://b.example.com:443',
      'https://App.example.com',
      'http://1.2.3',
      'https://xn--a.example.com',
    ]) {
      expect(pattern.test(refused)).toBe(false);
      expect(origins.safeParse(refused).success).toBe(false);
    }
    // The services take these, but no front end's origin looks like them.
    for (const stricter of ['https://app..example.com', 'https://app.example.com.']) {
      expect(pattern.test(stricter)).toBe(false);
    }
    for (const accepted of [
      'https://app.example.com:8443',
      'http://app.example.com:8080',
      'https://app.example.com:80',
      'http://localhost:3000',
      'https://a-b.c1.example.co.uk:65535',
    ]) {
      expect(pattern.test(accepted)).toBe(true);
      expect(origins.safeParse(accepted).success).toBe(true);
    }
    const assertions = Template.fromJSON(rendered.template);
    for (const container of ['backend', 'aiml-gateway']) {
      assertions.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: Match.arrayWith([
          Match.objectLike({
            Name: container,
            Environment: Match.arrayWith([
              { Name: 'DOCUTHINKER_CORS_ORIGINS', Value: { Ref: 'CorsOrigins' } },
            ]),
          }),
        ]),
      });
    }
  });

  // Every port on two hosts, both schemes: whatever the pattern takes, the
  // services take too (they exit 1 at start on an origin they refuse).
  it('takes no origin the services would refuse', () => {
    const pattern = new RegExp(template.Parameters.CorsOrigins.AllowedPattern);
    const origins = gatewayFields.DOCUTHINKER_CORS_ORIGINS;
    const ports = ['', ':0', ':00', ':080', ':65536', ':99999'];
    for (let port = 1; port <= 65535; port += port < 1000 ? 1 : 97) ports.push(`:${port}`);
    let taken = 0;
    for (const scheme of ['http', 'https']) {
      for (const host of ['app.example.com', 'localhost', 'App.example.com', 'app-.example.com']) {
        for (const port of ports) {
          const origin = `${scheme}://${host}${port}`;
          if (!pattern.test(origin)) continue;
          taken += 1;
          expect([origin, origins.safeParse(origin).success]).toEqual([origin, true]);
        }
      }
    }
    // Not vacuous: most of those ports on the two lowercase hosts are taken.
    expect(taken).toBeGreaterThan(2000);
  });

  it('needs nothing from the CDK toolchain (no bootstrap rule, assets or construct metadata)', () => {
    expect(committed).not.toMatch(
      /BootstrapVersion|CDKMetadata|aws:cdk:|cdk-hnb659fds|AssetParameters/,
    );
  });

  it('serves HTTPS with the given certificate and redirects HTTP to it', () => {
    const assertions = Template.fromJSON(rendered.template);
    const listeners = Object.values(
      assertions.findResources('AWS::ElasticLoadBalancingV2::Listener'),
    ).map((listener) => listener.Properties);
    expect(listeners).toHaveLength(2);
    expect(listeners).toContainEqual(
      expect.objectContaining({
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }],
      }),
    );
    // Under the HTTP-only template's id: an update changes that listener in place.
    expect(template.Resources[HTTP_LISTENER_LOGICAL_ID]?.Properties).toMatchObject({ Port: 80 });
    expect(listeners).toContainEqual(
      expect.objectContaining({
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          expect.objectContaining({
            Type: 'redirect',
            RedirectConfig: expect.objectContaining({ Port: '443', Protocol: 'HTTPS' }),
          }),
        ],
      }),
    );
    const pattern = new RegExp(template.Parameters.CertificateArn.AllowedPattern);
    expect(
      pattern.test(
        'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef',
      ),
    ).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:server-certificate/site')).toBe(false);
    expect(template.Parameters.CertificateArn.Default).toBeUndefined();
  });

  it('sends its alarms to the AlarmEmail it is given, and names the topic', () => {
    const assertions = Template.fromJSON(rendered.template);
    const topics = Object.keys(assertions.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    assertions.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
      TopicArn: { Ref: topics[0] },
    });
    expect(template.Parameters.AlarmEmail.Default).toBeUndefined();
    const pattern = new RegExp(template.Parameters.AlarmEmail.AllowedPattern as string);
    expect(pattern.test('oncall@example.com')).toBe(true);
    for (const refused of ['', 'oncall', 'a@b', 'a@example.com,b@example.com']) {
      expect({ refused, matches: pattern.test(refused) }).toEqual({ refused, matches: false });
    }
    expect(template.Outputs['AlarmTopicArnOutput'].Value).toEqual({ Ref: topics[0] });
    // Every alarm of the template publishes there.
    const alarms = Object.values(assertions.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
  });

  it('carries the same production properties as the CDK stages', () => {
    const assertions = Template.fromJSON(rendered.template);
    assertions.resourceCountIs('AWS::ECS::Service', 2);
    for (const service of Object.values(assertions.findResources('AWS::ECS::Service'))) {
      expect(service.Properties.DeploymentConfiguration).toMatchObject({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        Alarms: { Enable: true, Rollback: true },
      });
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe(
        'DISABLED',
      );
    }
    for (const task of Object.values(assertions.findResources('AWS::ECS::TaskDefinition'))) {
      expect(task.Properties.Cpu).toEqual({ Ref: 'CPU' });
      for (const container of task.Properties.ContainerDefinitions) {
        expect(container).toMatchObject({ ReadonlyRootFilesystem: true, StopTimeout: 30 });
        expect(JSON.stringify(container.Secrets)).toContain('SecretsPrefix');
      }
    }
  });
});
