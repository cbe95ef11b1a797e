import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { Empty } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <Empty
      title="No such page"
      action={
        <Button component={Link} to="/inbox">
          Go to the inbox
        </Button>
      }
    >
      The address does not match a page of the console.
    </Empty>
  );
}
