export const compensationStatusLabel: Record<string, string> = {
  proposed: 'Proposed',
  pending_approval: 'Waiting for approval',
  approved: 'Approved, issuing',
  issuing: 'Issuing',
  issued: 'Issued',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export const compensationStatusColor: Record<string, string> = {
  proposed: 'gray',
  pending_approval: 'orange',
  approved: 'blue',
  issuing: 'blue',
  issued: 'green',
  rejected: 'red',
  cancelled: 'gray',
  failed: 'red',
};
