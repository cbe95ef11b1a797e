import { Command } from 'commander';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API and console. Migrates the database first.')
    .option('--port <port>', 'port to listen on (env PORT)', (v) => Number.parseInt(v, 10))
    .option('--host <host>', 'address to bind (env HOST)')
    .option(
      '--smtp-port <port>',
      'also receive e-mail over SMTP on this port (env AMENDS_SMTP_PORT; interface AMENDS_SMTP_HOST, default HOST)',
      (v) => Number.parseInt(v, 10),
    )
    .option('--demo', 'seed the "demo" store with a year of realistic orders and complaints if it is empty, and print a console link')
    .action(async (o: { port?: number; host?: string; smtpPort?: number; demo?: boolean }) => {
      const { describeDb, loadConfig } = await import('../platform/config.ts');
      const config = loadConfig(process.env, {
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.host !== undefined ? { host: o.host } : {}),
        ...(o.smtpPort !== undefined ? { smtpPort: o.smtpPort } : {}),
      });
      if (config.smtpPort !== undefined && (!Number.isInteger(config.smtpPort) || config.smtpPort < 0 || config.smtpPort > 65_535)) {
        throw new Error('--smtp-port must be a port number (0..65535)');
      }
      // Loaded here, not at the top: every command pays for what main.ts imports.
      const { startServer } = await import('../platform/server.ts');
      let demo: { token: string; password: string; users: readonly { email: string }[] } | undefined;
      let customerLinks: { portal: string | null; community: string } | undefined;
      const server = await startServer(config, {
        beforeListen: async (ctx) => {
          if (!o.demo) return;
          // Loaded only here: the demo generator is not needed to serve a real store.
          const { DEMO_CONSOLE_USERS, seedDemo } = await import('../demo/seed-demo.ts');
          process.stderr.write(`Preparing the demo store in ${describeDb(config.db)}…\n`);
          const started = performance.now();
          const seed = await seedDemo(ctx, (done, total) => {
            if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${total} events`);
          });
          if (seed.seeded) {
            process.stderr.write(
              `${process.stderr.isTTY ? '\n' : ''}  seeded ${seed.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
            );
          }
          demo = { token: seed.token, password: seed.password, users: DEMO_CONSOLE_USERS };
        },
      });
      if (demo) {
        // One-time sign-in links for the customer pages, as the store would e-mail them (the demo has no SMTP).
        const { demoPortalLink } = await import('../channels/portal/demo.ts');
        const { communityDemoSignInUrl } = await import('../community/demo.ts');
        const portal = await demoPortalLink(server.ctx.database.db, 'demo', server.ctx.clock.now());
        customerLinks = {
          portal: portal ? `${server.url}${portal}` : null,
          community: await communityDemoSignInUrl(server.ctx, 'demo', server.url),
        };
      }
      const lines = [
        ``,
        `Amends is running at ${server.url}`,
        `  Database:  ${describeDb(config.db)} (${server.ctx.database.dialect})`,
        `  API docs:  ${server.url}/api/docs`,
      ];
      if (server.smtpPort !== undefined) {
        const smtpHost = config.smtpHost ?? config.host;
        lines.push(`  SMTP in:   smtp://${smtpHost.includes(':') ? `[${smtpHost}]` : smtpHost}:${server.smtpPort}`);
      }
      if (demo) {
        lines.push(
          `  Console:   ${server.url}/`,
          `  Sign in:   store "demo" as ${new Intl.ListFormat('en', { type: 'disjunction' }).format(demo.users.map((u) => u.email))}`,
          `             password ${demo.password} (for all three; a new one on every start, shown once)`,
          `  Chat:      ${server.url}/widget/try/demo (the demo shop page with the chat widget)`,
          `  Status:    ${server.url}/status/demo (public incidents and their updates; Atom feed at /status/demo/feed.atom)`,
          `  Community: ${server.url}/community/demo`,
          `             sign in as a demo member (works once, 12 h): ${customerLinks?.community}`,
          `  Help:      ${server.url}/help/demo (customers sign in with an order number and e-mail)`,
          ...(customerLinks?.portal ? [`             signed in as a demo customer (works once, 30 min): ${customerLinks.portal}`] : []),
          `  Admin token for the "demo" store (shown once): ${demo.token}`,
        );
      }
      lines.push(`  Press Ctrl+C to stop.`, ``);
      process.stdout.write(lines.join('\n'));
    });
}
