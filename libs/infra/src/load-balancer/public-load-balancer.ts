import { Duration, Validations } from 'aws-cdk-lib';
import { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS } from '@docuthinker/config';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { HttpsSettings } from '../settings/stage-settings';
import { enableAccessLogs } from './access-log-delivery';

export interface PublicLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly accessLogs: s3.IBucket;
  /** A stage's HTTPS settings, or only a certificate (the raw template's parameter). */
  readonly https?: HttpsSettings | { readonly certificateArn: string };
  /**
   * Refuse to delete the load balancer (a stage's retainData): a stack delete
   * or a replacing update would otherwise take away the stage's one entry
   * point and the DNS name its records point at. Off unless set.
   */
  readonly deletionProtection?: boolean;
}

/**
 * The one internet-facing entry point. With a domain or certificate it serves
 * HTTPS and redirects HTTP; without one (a fresh dev stage) it serves plain HTTP.
 */
export class PublicLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener services attach their routes to (HTTPS when configured). */
  readonly listener: elbv2.ApplicationListener;
  readonly servesHttps: boolean;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'DocuThinker public ALB: HTTP and HTTPS from the internet',
      allowAllOutbound: false,
    });
    // (The description stays as it was: changing it would replace the group.)
    if (props.https) {
      // Only with a listener on it: without HTTPS, 443 reached nothing.
      securityGroup.addIngressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS from the internet',
      );
    }
    securityGroup.addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(80),
      'HTTP, redirected to HTTPS when configured',
    );
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'This is the public web entry point of the product; it must accept 80/443 from any address. ' +
        'Tasks sit in private subnets and only accept traffic from this security group.',
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
      // Long enough for streamed AI answers (server-sent events) between
      // chunks; the services keep idle connections longer (libs/config).
      idleTimeout: Duration.seconds(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS),
    });
    enableAccessLogs(this.loadBalancer, props.accessLogs, 'alb');

    const certificate = props.https ? this.certificate(props.https) : undefined;
    this.servesHttps = certificate !== undefined;
    if (certificate) {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
      });
      this.loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      });
    } else {
      this.listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
      });
    }
  }

  private certificate(
    https: HttpsSettings | { readonly certificateArn: string },
  ): acm.ICertificate {
    if (https.certificateArn) {
      return acm.Certificate.fromCertificateArn(this, 'Certificate', https.certificateArn);
    }
    if (!('domainName' in https)) throw new Error('HTTPS needs a certificate or a domain name');
    const hostedZone = https.hostedZone
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', https.hostedZone)
      : undefined;
    return new acm.Certificate(this, 'Certificate', {
      domainName: https.domainName,
      validation: acm.CertificateValidation.fromDns(hostedZone),
    });
  }
}
