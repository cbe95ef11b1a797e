/** GET /api/v1/customers/:id as the customer panel reads it: orders with their parcels, earlier cases with how they ended. */
import type { CustomerDetail } from '../../api/types.ts';

export interface OrderShipmentSummary {
  id: string;
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  promisedBy: string | null;
  deliveredAt: string | null;
}

export interface CustomerCase {
  id: string;
  number: number;
  status: string;
  subject: string | null;
  createdAt: string;
  kind: string | null;
  resolvedAt: string | null;
  /** The reason given when it was last resolved, e.g. "Outcome: Made right: remedy issued". */
  outcome: string | null;
  remedies: { kind: string; label: string; issuedAt: string | null }[];
}

export interface CustomerRecord extends Omit<CustomerDetail, 'recentOrders' | 'cases'> {
  recentOrders: (CustomerDetail['recentOrders'][number] & { shipments: OrderShipmentSummary[] })[];
  cases: CustomerCase[];
}
