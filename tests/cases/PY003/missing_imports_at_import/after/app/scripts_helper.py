# Not imported by the app: its undefined name is left to linters.
print(undefined_in_an_unused_module)
