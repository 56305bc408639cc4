// rectify-cli COMMAND [ARGS] [--server URL] [--token TOKEN] [--json]: every command and its options in `rectify-cli --help`
// and `rectify-cli COMMAND --help`.
return await Rectify.Cli.Cli.RunAsync(args);
