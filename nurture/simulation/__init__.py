"""Virtual-clock runs of a workspace: the production engine, a throwaway database, a timeline."""
