import { Alert, Badge, Button, Collapse, Group, List, Paper, Skeleton, Stack, Text, Textarea, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { errorMessage, newIdempotencyKey } from '../../../api/client.ts';
import type { SuggestedOffer } from '../../../api/types.ts';
import { formatMoney, humanize } from '../../../ui/format.ts';
import { ErrorState } from '../../../ui/states.tsx';
import { useAllowance, useCaseCompensations, useOffers, useRequestCompensation } from '../hooks/use-compensation.ts';
import { AllowanceLine } from './AllowanceLine.tsx';
import { CaseCompensations } from './CaseCompensations.tsx';

const sourceLabel: Record<SuggestedOffer['source'], string> = {
  matrix: 'policy',
  refund_alternative: 'credit instead of refund',
  welcome_back: 'welcome back',
  exclusive_perk: 'loyalty perk',
  exception: 'exception',
};

function OfferCard({
  offer,
  caseId,
  first,
  closed,
  granted,
}: {
  offer: SuggestedOffer;
  caseId: string;
  first: boolean;
  closed: boolean;
  /** The same offer was already granted (or asked for) on this case. */
  granted: boolean;
}) {
  const request = useRequestCompensation(caseId);
  const key = useRef<string | null>(null);
  const [justification, setJustification] = useState('');
  const [missing, setMissing] = useState(false);
  const [asking, ask] = useDisclosure(false);
  const a = offer.approval;
  const submit = () => {
    if (a.needed && a.justificationRequired && !justification.trim()) {
      setMissing(true);
      return;
    }
    // One key per intent: a retry after a network error cannot grant twice.
    key.current ??= newIdempotencyKey();
    request.mutate(
      { offerId: offer.offerId, idempotencyKey: key.current, ...(justification.trim() ? { justification: justification.trim() } : {}) },
      {
        onSuccess: (c) => {
          key.current = null;
          setJustification('');
          ask.close();
          notifications.show({
            color: c.status === 'pending_approval' ? 'orange' : 'green',
            title: c.status === 'pending_approval' ? 'Approval requested' : 'Offer granted',
            message:
              c.status === 'pending_approval'
                ? `${c.label}: waiting for a ${c.approverRole ?? 'manager'}.`
                : `${c.label} (${formatMoney(c.cost.amount, c.cost.currency)}) is being issued.`,
          });
        },
        onError: (err) => notifications.show({ color: 'red', title: 'Not granted', message: errorMessage(err) }),
      },
    );
  };

  return (
    <Paper withBorder p="sm" radius="sm" component="li" style={{ listStyle: 'none' }} bg={first ? 'blue.0' : undefined}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          <Stack gap={2} miw={0}>
            <Text size="sm" fw={600}>
              {offer.label}
            </Text>
            <Group gap={4}>
              {first ? (
                <Badge size="xs" color="blue" variant="filled">
                  suggested
                </Badge>
              ) : null}
              {offer.preferred ? (
                <Badge size="xs" color="teal" variant="light">
                  customer’s usual choice
                </Badge>
              ) : null}
              <Badge size="xs" color="gray" variant="light">
                {sourceLabel[offer.source]}
              </Badge>
              {offer.validDays ? (
                <Text size="xs" c="dimmed">
                  valid {offer.validDays} days
                </Text>
              ) : null}
            </Group>
          </Stack>
          <Stack gap={0} align="flex-end" style={{ flexShrink: 0 }}>
            <Text size="sm" fw={600}>
              {formatMoney(offer.cost.amount, offer.cost.currency)}
            </Text>
            <Text size="xs" c="dimmed">
              cost to the store
            </Text>
          </Stack>
        </Group>
        {granted ? (
          <Text size="xs" fw={600}>
            Already granted or requested on this case.
          </Text>
        ) : null}
        {a.needed ? (
          <>
            <Text size="xs" c="orange.9">
              Needs a {a.approverRole ?? 'manager'}’s approval: {a.reasons.join('; ')}
            </Text>
            <Collapse expanded={asking}>
              <Stack gap={6} pb={4}>
                <Textarea
                  label={a.justificationRequired ? 'Why this case needs it' : 'Why this case needs it (optional)'}
                  value={justification}
                  onChange={(e) => {
                    setJustification(e.currentTarget.value);
                    setMissing(false);
                  }}
                  error={missing ? 'Say why: the approver reads this' : undefined}
                  required={a.justificationRequired}
                  autosize
                  minRows={2}
                  maxLength={2000}
                />
                <Group gap="xs">
                  <Button size="compact-sm" color="orange" onClick={submit} loading={request.isPending} disabled={closed}>
                    Send for approval
                  </Button>
                  <Button size="compact-sm" variant="default" onClick={ask.close}>
                    Cancel
                  </Button>
                </Group>
              </Stack>
            </Collapse>
            {!asking ? (
              <Group>
                <Button
                  size="compact-sm"
                  variant="light"
                  color="orange"
                  onClick={ask.open}
                  disabled={closed}
                  aria-label={`Request approval: ${offer.label}`}
                >
                  Request approval
                </Button>
              </Group>
            ) : null}
          </>
        ) : (
          <Group>
            <Button
              size="compact-sm"
              variant={granted ? 'default' : 'filled'}
              onClick={submit}
              loading={request.isPending}
              disabled={closed}
              aria-label={`${granted ? 'Issue again' : 'Issue'}: ${offer.label}`}
            >
              {granted ? 'Issue again' : 'Issue'}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** The policy's offers for the case, why these, what is within the caller's authority, and what was granted already. */
export function OffersPanel({ caseId, closed, userName }: { caseId: string; closed: boolean; userName: (id: string | null) => string }) {
  const offers = useOffers(caseId);
  const allowance = useAllowance();
  const granted = useCaseCompensations(caseId);
  const [why, whyToggle] = useDisclosure(false);
  const d = offers.data?.decision;
  const active = new Set((granted.data ?? []).filter((c) => !['rejected', 'cancelled', 'failed'].includes(c.status)).map((c) => c.offerId));

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="offers-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="offers-heading">
          Suggested offers
        </Title>
        {allowance.data ? <AllowanceLine allowance={allowance.data} /> : allowance.isPending ? <Skeleton height={16} /> : null}
        {granted.data && granted.data.length > 0 ? <CaseCompensations items={granted.data} userName={userName} /> : null}
        {offers.isPending ? (
          <Stack gap="xs" aria-busy>
            <Skeleton height={56} />
            <Skeleton height={56} />
          </Stack>
        ) : offers.isError ? (
          <ErrorState title="Could not load the offers" error={offers.error} onRetry={() => offers.refetch()} />
        ) : d ? (
          <>
            <Text size="sm">
              Rule <b>{d.rule.id}</b> of {offers.data.policy.isDefault ? 'the default policy' : `policy “${offers.data.policy.name}”`}:{' '}
              {humanize(d.tier.tier)} customer, {humanize(d.kind).toLowerCase()}, severity {d.severity}.
            </Text>
            {d.manualReview ? (
              <Alert color="orange" variant="light" p="xs">
                A guardrail asks for a person with more authority to decide the remedy.
              </Alert>
            ) : null}
            {closed ? (
              <Text size="sm" c="dimmed">
                The case is closed; reopen it to grant anything more.
              </Text>
            ) : null}
            {d.offers.length === 0 ? (
              <Text size="sm" c="dimmed">
                The policy suggests no offer for this case.
              </Text>
            ) : (
              <Stack gap={6} component="ul" p={0} m={0}>
                {d.offers.map((o, i) => (
                  <OfferCard key={o.offerId} offer={o} caseId={caseId} first={i === 0} closed={closed} granted={active.has(o.offerId)} />
                ))}
              </Stack>
            )}
            <div>
              <Button variant="subtle" size="compact-xs" px={0} onClick={whyToggle.toggle} aria-expanded={why}>
                {why ? 'Hide' : 'Show'} why these offers
              </Button>
              <Collapse expanded={why}>
                <List size="xs" spacing={2} mt={4}>
                  <List.Item>{d.tier.reason}</List.Item>
                  {d.reasons.map((r) => (
                    <List.Item key={r}>{r}</List.Item>
                  ))}
                  {d.firings.map((f) => (
                    <List.Item key={f.rule + f.detail}>
                      {humanize(f.rule)}: {f.detail}
                    </List.Item>
                  ))}
                  {d.unavailable.map((u) => (
                    <List.Item key={u.offerId}>
                      Not offered: {u.offerId}: {u.reason}
                    </List.Item>
                  ))}
                  {d.onCase > 0 ? (
                    <List.Item>Already granted on this case: {formatMoney(d.onCase, offers.data.allowance.currency)}</List.Item>
                  ) : null}
                </List>
              </Collapse>
            </div>
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}
