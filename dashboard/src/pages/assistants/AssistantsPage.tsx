import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useAssistants } from './use-assistants';

type Assistant = Schemas['Assistant'];

function describe(assistant: Assistant): string {
  const model = assistant.model.provider === 'openai' ? assistant.model.model : 'scripted';
  const voice = assistant.voice.provider === 'local' ? `eSpeak ${assistant.voice.voice_id}` : `${assistant.voice.provider} ${assistant.voice.voice_id}`;
  const ears = assistant.transcriber.provider === 'none' ? 'typed input' : assistant.transcriber.provider;
  return `${model} · ${voice} · ${ears}`;
}

/** The copy keeps every setting; the API fills ids and times. */
function duplicateBody(assistant: Assistant): Schemas['CreateAssistantRequest'] {
  const { id: _id, object: _object, created_at: _created, updated_at: _updated, ...fields } = assistant;
  return { ...fields, name: `${assistant.name} (copy)` };
}

export function AssistantsPage() {
  const assistants = useAssistants();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim().toLowerCase());
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const duplicate = useMutation({
    mutationFn: (assistant: Assistant) => unwrap(api.POST('/v1/assistants', { body: duplicateBody(assistant) })),
    onSuccess: (copy) => {
      void queryClient.invalidateQueries({ queryKey: ['assistants'] });
      void navigate(`/assistants/${copy.id}`);
    },
  });
  const remove = async (assistant: Assistant) => {
    await unwrap(api.DELETE('/v1/assistants/{id}', { params: { path: { id: assistant.id } } }));
    await queryClient.invalidateQueries({ queryKey: ['assistants'] });
  };

  const visible = (assistants.data ?? []).filter(
    (assistant) => !query || assistant.name.toLowerCase().includes(query) || assistant.id.toLowerCase().includes(query),
  );

  return (
    <>
      <PageHeader
        title="Assistants"
        description="Configure what your voice assistants say, hear and do."
        actions={<Link className="button primary" to="/assistants/new">New assistant</Link>}
      />
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search assistants</span>
          <input type="search" placeholder="Search by name or id" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
      </div>
      <InlineError error={duplicate.error} />
      {assistants.isPending ? (
        <Loading />
      ) : assistants.isError ? (
        <ErrorState error={assistants.error} retry={() => void assistants.refetch()} />
      ) : visible.length === 0 ? (
        <Empty title={query ? 'No assistant matches your search.' : 'No assistants yet.'}>
          {!query && <Link to="/assistants/new">Create your first assistant</Link>}
        </Empty>
      ) : (
        <ul className="card-list" aria-label="Assistants">
          {visible.map((assistant) => (
            <li key={assistant.id} className="card list-item">
              <div className="list-main">
                <Link to={`/assistants/${assistant.id}`} className="list-title">{assistant.name}</Link>
                <span className="muted small">{describe(assistant)}</span>
                <span className="muted small">Updated {formatDateTime(assistant.updated_at)}</span>
              </div>
              <div className="actions">
                <Link className="button small" to={`/assistants/${assistant.id}/call`}>Test call</Link>
                <button type="button" className="button ghost small" disabled={duplicate.isPending} onClick={() => duplicate.mutate(assistant)}>Duplicate</button>
                <ConfirmButton
                  label="Delete"
                  title={`Delete ${assistant.name}?`}
                  body={<p>The assistant is removed. Sessions it already had keep their copy of its settings.</p>}
                  confirmLabel="Delete assistant"
                  onConfirm={() => remove(assistant)}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
