// CDK's built-in template validator costs ~25 s per synth under jest's module
// system. The cfn-lint spec lints every synthesized template instead, and the
// CLI path (`nx synth infra`) still runs the built-in validator.
process.env.CDK_VALIDATION = 'false';
