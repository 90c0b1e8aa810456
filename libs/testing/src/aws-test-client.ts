/** SDK client settings for talking to moto: its endpoint, a region and dummy credentials. */
export function awsTestClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}
