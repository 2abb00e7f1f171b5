{% test history_arrays_have_length(model, columns, length) %}
    select *
    from {{ model }}
    where {% for column in columns %}{{ array_size(column ~ '_history') }} <> {{ length }}{{ " or " if not loop.last }}{% endfor %}
{% endtest %}
