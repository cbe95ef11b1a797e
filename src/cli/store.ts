import { Command } from 'commander';

export function storeCommand(): Command {
  const store = new Command('store').description('Manage stores.');
  store
    .command('create')
    .description('Create a store.')
    .requiredOption('--id <id>', 'store id: lowercase letters, digits, dashes')
    .option('--name <name>', 'display name (default: the id)')
    .option('--timezone <tz>', 'IANA time zone for business hours and reports', 'UTC')
    .option('--currency <code>', 'ISO-4217 currency of the store', 'USD')
    .option('--shopify-domain <domain>', 'connect a Shopify shop: its permanent domain, e.g. my-shop.myshopify.com')
    .option('--shopify-secret <secret>', 'the Shopify app’s API secret, which signs its webhooks (with --shopify-domain)')
    .action(
      async (o: { id: string; name?: string; timezone: string; currency: string; shopifyDomain?: string; shopifySecret?: string }) => {
        const { withDatabase } = await import('./with-database.ts');
        const { createStore } = await import('../stores/stores.service.ts');
        const { systemClock } = await import('../platform/clock.ts');
        await withDatabase(async ({ db }) => {
          const s = await createStore(db, systemClock, o);
          process.stdout.write(`created store ${s.id} (${s.name}, ${s.timezone}, ${s.currency})\n`);
          if (o.shopifyDomain)
            process.stdout.write(
              `connected to Shopify shop ${o.shopifyDomain.trim().toLowerCase()}: webhooks go to POST /webhooks/shopify\n`,
            );
        });
      },
    );
  store
    .command('shopify')
    .description('Connect an existing store to a Shopify shop (or change its domain and secret).')
    .requiredOption('--id <id>', 'store id')
    .requiredOption('--domain <domain>', 'the shop’s permanent domain, e.g. my-shop.myshopify.com')
    .requiredOption('--secret <secret>', 'the Shopify app’s API secret, which signs its webhooks')
    .action(async (o: { id: string; domain: string; secret: string }) => {
      const { withDatabase } = await import('./with-database.ts');
      const { connectShopify } = await import('../stores/stores.service.ts');
      await withDatabase(async ({ db }) => {
        const c = await connectShopify(db, o.id, { domain: o.domain, secret: o.secret });
        process.stdout.write(`store ${c.storeId} connected to Shopify shop ${c.domain}: webhooks go to POST /webhooks/shopify\n`);
      });
    });
  return store;
}
