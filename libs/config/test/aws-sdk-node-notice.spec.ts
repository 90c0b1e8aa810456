import { silenceSdkNodeNotice, withoutSdkNodeNotice } from '../src';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

describe("the AWS SDK's Node-version notice", () => {
  it('is switched off for a child environment, which keeps its other variables', () => {
    expect(withoutSdkNodeNotice({ PATH: '/bin' })).toEqual({ PATH: '/bin', [SWITCH]: 'true' });
  });

  it('stays as an environment that says otherwise sets it', () => {
    expect(withoutSdkNodeNotice({ [SWITCH]: 'false' })[SWITCH]).toBe('false');
  });

  it("is switched off for this process's clients, unless the environment says otherwise", () => {
    const before = process.env[SWITCH];
    try {
      delete process.env[SWITCH];
      silenceSdkNodeNotice();
      expect(process.env[SWITCH]).toBe('true');
      process.env[SWITCH] = 'false';
      silenceSdkNodeNotice();
      expect(process.env[SWITCH]).toBe('false');
    } finally {
      if (before === undefined) delete process.env[SWITCH];
      else process.env[SWITCH] = before;
    }
  });
});
