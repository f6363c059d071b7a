export interface Tab<T extends string> {
  id: T;
  label: string;
}

export function Tabs<T extends string>({ tabs, current, onChange }: { tabs: readonly Tab<T>[]; current: T; onChange: (tab: T) => void }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          aria-selected={tab.id === current}
          className={tab.id === current ? 'tab active' : 'tab'}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
